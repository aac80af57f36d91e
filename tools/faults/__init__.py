"""The fault campaign: the whole network under the simulator's traffic and seeded random faults,
then checks that nothing was lost or done twice (`warmlink faults run`, docs/operations.md)."""
