"""A caffe.Net stand-in that records how the learner's code used it, every call in order.

spy.calls is the ordered log: ("forward", {"end": "relu4_2"}), ("backward", {"start": "conv5_1", "end": "conv4_1"}),
("diff_read", {"blob": "conv4_1"}) ... so a check can tell a deepest-first sweep from a shallow-first one.
forward_calls, backward_calls and diff_reads are the same log split by kind.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any


class SpyBlob:
    """One blob: data and diff are the real arrays (views into Caffe's memory); diff reads are logged."""

    def __init__(self, name: str, blob: Any, spy: SpyNet) -> None:
        self._name, self._blob, self._spy = name, blob, spy

    @property
    def data(self):
        return self._blob.data

    @data.setter
    def data(self, value):
        raise AttributeError(f"a blob's data cannot be replaced: write into it, "
                             f"net.blobs['{self._name}'].data[...] = x")

    @property
    def diff(self):
        self._spy.diff_reads.append(self._name)
        self._spy.calls.append(("diff_read", {"blob": self._name}))
        return self._blob.diff

    @diff.setter
    def diff(self, value):
        raise AttributeError(f"a blob's diff cannot be replaced: write into it, net.blobs['{self._name}'].diff[0] = g")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._blob, name)


class SpyNet:
    """Wraps a caffe.Net: forward/backward calls and diff reads are recorded, everything else passes through."""

    def __init__(self, net: Any) -> None:
        self._net = net
        self.forward_calls: list[dict[str, Any]] = []
        self.backward_calls: list[dict[str, Any]] = []
        self.diff_reads: list[str] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.blobs = OrderedDict((name, SpyBlob(name, blob, self)) for name, blob in net.blobs.items())

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        self.forward_calls.append(dict(kwargs, args=args))
        self.calls.append(("forward", dict(kwargs, args=args)))
        return self._net.forward(*args, **kwargs)

    def backward(self, *args: Any, **kwargs: Any) -> Any:
        self.backward_calls.append(dict(kwargs, args=args))
        self.calls.append(("backward", dict(kwargs, args=args)))
        return self._net.backward(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._net, name)

    def forward_ends(self) -> set[Any]:
        return {call.get("end") for call in self.forward_calls}

    def backward_starts(self) -> set[Any]:
        return {call.get("start") for call in self.backward_calls}
