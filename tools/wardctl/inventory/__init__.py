"""The city as data: the inventory model, its reader, writer, validator and spreadsheet importer."""
