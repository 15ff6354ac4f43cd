"""Designer: plan AI datacenter halls built from AWS Trainium3 UltraServers."""

__version__ = "0.1.0"
