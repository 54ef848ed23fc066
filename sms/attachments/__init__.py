"""MMS attachments: the files of inbound (and outbound) messages, downloaded into Django's
storage and served only to signed-in staff."""
