"""Collection facts: computed from the live inventory, published k-anonymously with obfuscated counts."""
