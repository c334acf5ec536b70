"""The text encoder: all-MiniLM-L6-v2 from its pip package, adapted to comments by a small LoRA adapter.

- ``base``: where the base weights and tokenizer are (an installed package, never this repository);
- ``network``: the PyTorch model the adapter recipe (``classifier.adapter_training``, training time only) trains;
- ``export``: base + adapter merged and written as an 8-bit (unsigned int8) ONNX graph, cached per (package, adapter);
- ``runtime``: tokenise, run the graph, pool per token (ONNX Runtime only: what a worker loads).
"""
