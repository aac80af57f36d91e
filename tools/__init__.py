"""What a person runs beside the network: the development stack and demo region (`warmlink dev`),
the simulator, the benchmarks and the `warmlink` command. Tools may import services (to start
them) but reach a running service's data only through its HTTP API (docs/architecture.md)."""
