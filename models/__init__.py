"""The data layer: peewee models, domain rules, validation and queries. Imports no Qt."""
