#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeugdregie.settings")
    # A checkout with neither DEBUG nor SECRET_KEY in its environment is a developer's: commands such as
    # `makemigrations` run there in development mode. Production sets SECRET_KEY (and DEBUG=0), so the
    # settings' refusal to start without a key still holds for it, and gunicorn and celery never pass here.
    if "DEBUG" not in os.environ and "SECRET_KEY" not in os.environ:
        os.environ["DEBUG"] = "1"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
