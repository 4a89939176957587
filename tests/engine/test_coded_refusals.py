"""A consent refusal is a coded error that crosses the seam whole: pickled (the worker thread's
queue, a subprocess) it keeps its type, its message's code and parameters, and the request the
window asks the user about."""

from __future__ import annotations

import pickle

from attnlab.engine.api.consent import Consent, ConsentNeeded, ConsentRequest
from attnlab.engine.api.errors import CodedError, ModelLoadError
from attnlab.engine.api.messages import MESSAGES, message


def test_a_consent_refusal_pickles_with_its_request_and_code():
    reason = message("pickled_weights_refused", path="/m", files="pytorch_model.bin")
    request = ConsentRequest(Consent("/m", "abc", "pickle"), "my-model", reason)
    error = ConsentNeeded("consent_needed", request, reason=reason)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is ConsentNeeded and isinstance(copy, ModelLoadError) and isinstance(copy, CodedError)
    assert copy.request == request and copy.message == error.message
    assert copy.code == "consent_needed" and copy.message.values()["reason"].code == "pickled_weights_refused"
    # the CLI's English is the template with the values, word for word as before the codes
    assert str(copy) == MESSAGES["pickled_weights_refused"].format(path="/m", files="pytorch_model.bin")
    assert str(copy).startswith("/m has only pickled weights (pytorch_model.bin), which can run arbitrary code")
