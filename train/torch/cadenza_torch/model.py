"""Cadenza's language model in PyTorch: Embedding -> nn.LSTM (L layers, dropout between them) ->
dropout -> Linear head, with the tensor names Cadenza's checkpoints use (embedding.weight,
lstm.weight_ih_l{k}, lstm.weight_hh_l{k}, lstm.bias_ih_l{k}, lstm.bias_hh_l{k}, head.weight,
head.bias; gate order i, f, g, o). Dropout is applied after every LSTM layer, as in
Sources/NN/LSTMTrainer.swift: nn.LSTM's own dropout after layers 0..L-2, self.drop after the last.
"""
import math

import torch
from torch import nn


class CadenzaLSTM(nn.Module):
    def __init__(self, vocabulary_size, embedding, hidden, layers, dropout=0.0):
        super().__init__()
        self.V, self.E, self.H, self.L, self.dropout = vocabulary_size, embedding, hidden, layers, float(dropout)
        self.embedding = nn.Embedding(vocabulary_size, embedding)
        self.lstm = nn.LSTM(embedding, hidden, layers, dropout=self.dropout if layers > 1 else 0.0, batch_first=True)
        self.drop = nn.Dropout(self.dropout)
        self.head = nn.Linear(hidden, vocabulary_size)
        # As Cadenza initialises (Sources/NN/LSTMModel.swift): embedding N(0, 1), the rest
        # U(-1/sqrt(H), 1/sqrt(H)); nn.LSTM already does the LSTM part.
        bound = 1 / math.sqrt(hidden)
        nn.init.uniform_(self.head.weight, -bound, bound)
        nn.init.uniform_(self.head.bias, -bound, bound)

    def zero_state(self, batch_size, device=None):
        shape = (self.L, batch_size, self.H)
        return torch.zeros(shape, device=device), torch.zeros(shape, device=device)

    def forward(self, tokens, state):
        """tokens (B, T) int64, state (h, c) each (L, B, H) -> logits (B, T, V), new state."""
        x = self.embedding(tokens)
        y, state = self.lstm(x, state)
        return self.head(self.drop(y)), state


def flops_per_token(V, E, H, L):
    """Forward FLOPs per token, counted as Cadenza's bench counts them (multiply-add = 2):
    8*H*(in+H) per layer plus 2*H*V for the head. Training is about 3x this."""
    return 2 * H * V + sum(8 * H * ((E if k == 0 else H) + H) for k in range(L))
