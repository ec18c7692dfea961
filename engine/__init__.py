"""Sløyfe: a BPMN engine and workplace for a municipality's governance processes."""
