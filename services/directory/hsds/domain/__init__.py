"""The directory as HSDS 3.1 objects: ids, taxonomy, components, capacity and the export."""
