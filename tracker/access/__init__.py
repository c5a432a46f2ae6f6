"""Who is acting and what they may do: passwords and login (``auth``) and the access
rules every library function checks (``permissions``)."""
