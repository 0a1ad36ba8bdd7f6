"""policykb: a knowledge base with clause-exact search over Chinese policy documents."""

__version__ = "0.1.0"
