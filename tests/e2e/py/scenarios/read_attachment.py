"""Downloads one attachment by its reference through the SDK (ReadonlyAttachment)."""

import hashlib

import braintrust
from braintrust.logger import ReadonlyAttachment

from _common import args, emit

a = args()
braintrust.login()
att = ReadonlyAttachment(a["reference"])
data = att.data
emit({"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "status": dict(att.status())})
