"""Key material kept outside the database: the keyring files of the identity vault and of the pseudonyms."""
