"""Cadenza's LSTM trained with PyTorch DistributedDataParallel on `cadenza tokenize --export` shards.

Modules: shards (reading an export), streams (truncated-BPTT batches, as `cadenza train` makes them),
schedule and evaluation (its learning rate and `cadenza eval`'s loss), log (training-log.csv),
model (Embedding -> nn.LSTM -> dropout -> Linear, PyTorch names), checkpoint (Cadenza's safetensors
checkpoints and optimizer state, both ways), train (the torchrun entry point).
"""
__version__ = "0.1.0"
