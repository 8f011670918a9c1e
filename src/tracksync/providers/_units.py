"""Split a batch of changes into independent units, run them, and merge their outputs.

A unit is a flow over some of a batch's changes that returns one output per change. No
unit depends on another. The sync providers run them one after another, the async
providers run them at the same time, and both merge the outputs back into input order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

import attrs
import httpx

from .._plan import ChangeResult
from ..errors import ConfigurationError, TracksyncError
from ._flow import Flow, SendOptions, run_flow

__all__ = ["Batch", "Output", "Unit", "check_max_concurrency", "run_batch", "run_batch_async"]

#: The outcome of applying one change: its result, or the error that made it fail.
Output = ChangeResult | TracksyncError


@attrs.frozen
class Unit:
    """Some of a batch's changes, and the flow that applies them.

    The flow returns one output per change, in the order of ``indexes``, and returns every
    error of a change as that change's output instead of raising it.
    """

    #: Positions of the unit's changes in the batch.
    indexes: tuple[int, ...]
    flow: Flow[list[Output]]


@attrs.define
class Batch:
    """The units of one ``apply_batch`` call, and the outputs known without a request."""

    size: int
    units: list[Unit] = attrs.field(factory=list)
    decided: dict[int, Output] = attrs.field(factory=dict)

    def add_unit(self, indexes: Sequence[int], flow: Flow[list[Output]]) -> None:
        """Add a unit that applies the changes at ``indexes``."""
        self.units.append(Unit(tuple(indexes), flow))

    def decide(self, index: int, output: Output) -> None:
        """Set the output of a change that needs no request."""
        self.decided[index] = output

    def merge(self, unit_outputs: Sequence[Sequence[Output]]) -> list[Output]:
        """Return every change's output in input order, from the units' outputs.

        ``unit_outputs`` contains the outputs of each unit, in the order of :attr:`units`.

        Raises:
            RuntimeError: a unit returned another number of outputs than it has changes,
                or a change has no output; either is a bug in the provider.
        """
        outputs: dict[int, Output] = dict(self.decided)
        for unit, results in zip(self.units, unit_outputs, strict=True):
            if len(results) != len(unit.indexes):
                raise RuntimeError(
                    f"A unit of {len(unit.indexes)} changes returned {len(results)} outputs; "
                    "this is a bug in the provider."
                )
            outputs.update(zip(unit.indexes, results, strict=True))
        missing = [index for index in range(self.size) if index not in outputs]
        if missing:
            raise RuntimeError(
                f"Changes {missing} of a batch got no output; this is a bug in the provider."
            )
        return [outputs[index] for index in range(self.size)]


def run_batch(
    client: httpx.Client, batch: Batch, *, provider: str, options: SendOptions
) -> list[Output]:
    """Run the batch's units one after another and return the outputs in input order."""
    return batch.merge(
        [run_flow(client, unit.flow, provider=provider, options=options) for unit in batch.units]
    )


async def run_batch_async(
    batch: Batch, run_unit: Callable[[Unit], Awaitable[list[Output]]]
) -> list[Output]:
    """Run the batch's units at the same time with ``run_unit`` and merge their outputs.

    ``run_unit`` bounds how many units send at once. When one unit raises (a bug, or a
    closed client), the other units are cancelled and the exception propagates.
    """
    tasks = [asyncio.ensure_future(run_unit(unit)) for unit in batch.units]
    try:
        unit_outputs = await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return batch.merge(unit_outputs)


def check_max_concurrency(value: int) -> int:
    """Return an async provider's ``max_concurrency``, or raise ConfigurationError."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(
            f"max_concurrency is {value!r}; give a whole number of requests, 1 or more."
        )
    return value
