"""What each generated token was chosen from when it was generated, to and from a session file.

A session replays its tokens under its masks when opened; without this record the replay's
probabilities would pass for the ones the tokens were generated under ("0.4% now, 0.4% when
generated" for a token greedy decoding took at 77%). Only token ids and probabilities are saved:
the "when generated" column and chip need nothing else.
"""

from __future__ import annotations

from attnlab.app.document import Generated
from attnlab.engine.api.results import Candidate
from attnlab.engine.api.saved_session import SessionData, WhenGenerated


def saved_when_generated(steps: tuple[Generated, ...]) -> tuple[WhenGenerated, ...]:
    return tuple(WhenGenerated(s.token_id, s.prob, tuple((c.token_id, c.prob) for c in s.candidates)) for s in steps)


def opened_when_generated(data: SessionData) -> tuple[Generated, ...]:
    """The record of `data.generated` up to its first entry that does not belong to it (a file edited
    by hand, or rewritten by an attnlab that kept the key but changed the tokens)."""
    out = []
    for token, record in zip(data.generated, data.when_generated, strict=False):
        if record.token_id != token:
            break
        candidates = tuple(Candidate(t, "", p) for t, p in record.candidates)
        out.append(Generated(record.token_id, record.prob, candidates))
    return tuple(out)
