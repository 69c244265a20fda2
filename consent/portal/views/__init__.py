"""The donor portal's views: the invitation link (``link``), the read-only pages (``pages``), choices, re-consent
and withdrawal (``changes``), messages and preferences (``messages``). ``common.donor_page`` guards every one."""
