from io import StringIO

from django.core.management import call_command


def test_models_and_migrations_agree(db):
    """Every model change has its migration (makemigrations --check)."""
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())
