"""The library core: bootstrap, root object, module APIs and the service lifecycle."""
