"""Generated protobuf and gRPC modules of the Stream API and Open Data protocol.

Do not edit the ``*_pb2*`` modules by hand: change the sources under
``protos/`` and run ``python scripts/generate_protos.py``.
"""
