"""typeflow-ipaddress: ``ipaddress`` addresses, networks and interfaces as string literals."""

__version__ = "0.1.0"
