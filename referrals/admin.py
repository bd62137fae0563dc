"""Verwijzingen are case data and are deliberately not in the admin.

The functioneel beheerder manages master data (see cases/admin.py); referrals are written only
through referrals/services.py, and read only on the case file, where every read is logged.
"""
