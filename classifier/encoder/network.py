"""MiniLM-L6 (a BERT) in plain PyTorch, with optional LoRA adapters: for fine-tuning and ONNX export.

Written out here (about a hundred lines) rather than taken from ``transformers`` so that training,
merging and export depend only on the safetensors file's names and BERT's published shape, not on a
library version's internals. Loaded weights are checked against the file: nothing is left at its
random initialisation.
"""

from __future__ import annotations

import math

import torch
from safetensors.torch import load_file
from torch import nn

from classifier.encoder.base import HIDDEN, BaseEncoder

LAYERS, HEADS, INTERMEDIATE, VOCAB, POSITIONS, EPS = 6, 12, 1536, 30522, 512, 1e-12
ADAPTED = ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
           "intermediate.dense", "output.dense")
"""The linear maps of every layer that carry a LoRA adapter."""


class LoRALinear(nn.Module):
    """``W x + b + scale · B A x``: a frozen linear map plus a trainable low-rank update (Hu et al. 2021)."""

    def __init__(self, inner: nn.Linear, rank: int, alpha: float) -> None:
        super().__init__()
        self.inner = inner
        self.lora_a = nn.Parameter(torch.empty(rank, inner.in_features))
        self.lora_b = nn.Parameter(torch.zeros(inner.out_features, rank))  # zero: training starts at the base
        nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))
        self.scale = alpha / rank

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner(x) + (x @ self.lora_a.T @ self.lora_b.T) * self.scale

    def merged(self) -> nn.Linear:
        """A plain linear map equal to this one (for export)."""
        merged = nn.Linear(self.inner.in_features, self.inner.out_features)
        with torch.no_grad():
            merged.weight.copy_(self.inner.weight + self.scale * self.lora_b @ self.lora_a)
            merged.bias.copy_(self.inner.bias)
        return merged


class _Layer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.query, self.key, self.value = (nn.Linear(HIDDEN, HIDDEN) for _ in range(3))
        self.attention_output = nn.Linear(HIDDEN, HIDDEN)
        self.attention_norm = nn.LayerNorm(HIDDEN, eps=EPS)
        self.intermediate = nn.Linear(HIDDEN, INTERMEDIATE)
        self.output = nn.Linear(INTERMEDIATE, HIDDEN)
        self.output_norm = nn.LayerNorm(HIDDEN, eps=EPS)
        self.dropout = nn.Dropout(0.1)

    def forward(self, hidden: torch.Tensor, additive_mask: torch.Tensor) -> torch.Tensor:
        batch, length, _ = hidden.shape

        def heads(x: torch.Tensor) -> torch.Tensor:
            return x.view(batch, length, HEADS, HIDDEN // HEADS).transpose(1, 2)

        q, k, v = heads(self.query(hidden)), heads(self.key(hidden)), heads(self.value(hidden))
        attention = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(HIDDEN // HEADS) + additive_mask, dim=-1)
        context = (self.dropout(attention) @ v).transpose(1, 2).reshape(batch, length, HIDDEN)
        hidden = self.attention_norm(hidden + self.dropout(self.attention_output(context)))
        inner = nn.functional.gelu(self.intermediate(hidden))
        return self.output_norm(hidden + self.dropout(self.output(inner)))


_RENAMES = {"attention.self.query": "query", "attention.self.key": "key", "attention.self.value": "value",
            "attention.output.dense": "attention_output", "attention.output.LayerNorm": "attention_norm",
            "intermediate.dense": "intermediate", "output.dense": "output", "output.LayerNorm": "output_norm"}


class MiniLM(nn.Module):
    """The encoder: token ids and attention mask in, one 384-dimensional vector per token out."""

    def __init__(self) -> None:
        super().__init__()
        self.word_embeddings = nn.Embedding(VOCAB, HIDDEN)
        self.position_embeddings = nn.Embedding(POSITIONS, HIDDEN)
        self.token_type_embeddings = nn.Embedding(2, HIDDEN)
        self.embedding_norm = nn.LayerNorm(HIDDEN, eps=EPS)
        self.dropout = nn.Dropout(0.1)
        self.layers = nn.ModuleList(_Layer() for _ in range(LAYERS))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        hidden = self.word_embeddings(input_ids) + self.position_embeddings(positions) + self.token_type_embeddings(
            torch.zeros_like(input_ids))
        hidden = self.dropout(self.embedding_norm(hidden))
        additive_mask = (1.0 - attention_mask[:, None, None, :].to(hidden.dtype)) * -1e4
        for layer in self.layers:
            hidden = layer(hidden, additive_mask)
        return hidden

    @classmethod
    def from_base(cls, base: BaseEncoder) -> MiniLM:
        """The base model with the package's weights, every parameter accounted for."""
        model = cls()
        state: dict[str, torch.Tensor] = {}
        for name, tensor in load_file(str(base.weights)).items():
            if name == "embeddings.position_ids" or name.startswith("pooler."):
                continue  # a buffer, and the unused pooler of the original checkpoint
            if name.startswith("embeddings."):
                name = name.removeprefix("embeddings.").replace("LayerNorm", "embedding_norm")
            else:
                _, _, index, rest = name.split(".", 3)
                module, _, kind = rest.rpartition(".")
                name = f"layers.{index}.{_RENAMES[module]}.{kind}"
            state[name] = tensor
        model.load_state_dict(state, strict=True)
        return model

    def add_adapters(self, rank: int, alpha: float) -> None:
        """Freeze every base weight and put a LoRA adapter on each layer's linear maps."""
        for parameter in self.parameters():
            parameter.requires_grad = False
        for layer in self.layers:
            for name in ("query", "key", "value", "attention_output", "intermediate", "output"):
                setattr(layer, name, LoRALinear(getattr(layer, name), rank, alpha))

    def adapter_state(self) -> dict[str, torch.Tensor]:
        """Only the adapters' tensors: what is saved and committed."""
        return {name: tensor.detach().clone() for name, tensor in self.state_dict().items() if ".lora_" in name}

    def merge_adapters(self) -> None:
        """Fold every adapter into its linear map (the model then has the base's shape again)."""
        for layer in self.layers:
            for name in ("query", "key", "value", "attention_output", "intermediate", "output"):
                module = getattr(layer, name)
                if isinstance(module, LoRALinear):
                    setattr(layer, name, module.merged())
