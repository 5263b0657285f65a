"""Entry point for `flask --app wsgi` and for gunicorn (`gunicorn wsgi:app`)."""
import gc

from app import create_app

app = create_app()
# What start-up made (modules, mappers, the app) lives as long as the process: leave it out of every garbage
# collection. A full collection otherwise walks some 200,000 such objects (3 ms a request on average in
# bench/profile_pages.py's mix, and pauses of 50 ms or more).
gc.freeze()
