"""Stopping a training run on request (Ctrl-C, SIGTERM from a scheduler or a launch script): the step in
progress finishes, the run saves its exact position, and every rank of a distributed job stops at the same
step."""
import contextlib
import signal

from src.utils.device import launched_by_msrun
from src.utils.errors import TrainingStopped

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopRequest:
    """Whether the run was asked to stop.

    agreement: with several ranks, a RankAgreement; every step the ranks then agree whether any of them was
    asked, since a signal reaches them at slightly different steps and a rank that left early would leave
    the others blocked in the gradient all-reduce.
    """

    def __init__(self, agreement=None):
        self.agreement = agreement
        self.signal_number = None
        self.log = print

    @contextlib.contextmanager
    def handling_signals(self, log):
        """Within the block, SIGINT/SIGTERM request a stop (logged with `log`); a second one stops at once."""
        self.log = log
        previous = {number: signal.signal(number, self._request) for number in STOP_SIGNALS}
        try:
            yield self
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _request(self, signal_number, frame):
        if self.signal_number is not None:
            raise KeyboardInterrupt
        self.signal_number = signal_number
        self.log(f"{signal.Signals(signal_number).name} received: stopping after this step")

    def agreed(self):
        """True when this rank, or with an agreement any rank, was asked to stop (a collective call: every
        rank makes it once per step)."""
        stop = self.signal_number is not None
        return self.agreement.any_rank(stop) if self.agreement else stop

    def stopped(self, where):
        """The TrainingStopped to raise once the position is saved; `where` says what was saved and where.

        Waits first for every rank (a barrier), so no rank exits, and gets the job killed, before rank 0's save.
        """
        if self.agreement:
            self.agreement.any_rank(False)
        self.signal_number = self.signal_number or signal.SIGTERM  # a rank the signal has not reached yet
        name = signal.Signals(self.signal_number).name
        return TrainingStopped(f"{name} at {where}; continue with --resume auto", self.signal_number,
                               exit_code=0 if launched_by_msrun() else None)
