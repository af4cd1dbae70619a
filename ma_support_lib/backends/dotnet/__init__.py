"""The .NET backend: the vendor's C# Support Library, in process, through pythonnet.

``runtime`` loads pythonnet, the .NET runtime and the assemblies; ``frames`` is the record
format shared with our C# facade (``native/facade``); ``errors`` maps .NET exceptions;
``pump`` delivers what .NET threads queued on Python threads; one module per service.
"""
