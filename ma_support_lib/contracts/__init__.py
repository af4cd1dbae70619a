"""The public contracts of the support library: DTOs, enums, results, handlers and service interfaces.

Module paths mirror the official ``ma_dataplatforms_streaming_support_library`` package, one
class per module, so code written for it runs after changing the package prefix.
"""
