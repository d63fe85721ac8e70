"""accounts: the custom User (role, citizen category, kecamatan, optional
phone), and the sign-up, sign-in, password-reset and profile pages.

Depends on nothing else in Balai Warga; every other app may depend on it.
"""
