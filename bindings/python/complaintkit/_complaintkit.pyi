"""Type stubs of the native module (the public names are re-exported by complaintkit)."""
import datetime
from typing import Any, Iterable

__version__: str

class Money:
    minor: int
    currency: str
    def __init__(self, minor: int, currency: str) -> None: ...

class Event:
    at: datetime.datetime
    type: str
    actor: str
    text: str
    payload: dict[str, Any]
    def to_dict(self) -> dict[str, Any]: ...

class Complaint:
    id: str
    received_at: datetime.datetime
    channel: str
    customer: dict[str, str]
    customer_id: str
    tier: str
    complainant: str
    branch: str
    region: list[str]
    product: str
    order: str
    amounts: dict[str, Money]
    language: str
    title: str
    text: str
    remedy_sought: dict[str, Any]
    attributes: dict[str, Any]
    facets: dict[str, Any]
    events: list[Event]
    @staticmethod
    def from_json(json: str | bytes | dict[str, Any], preserve_unknown: bool = False) -> Complaint: ...
    def to_json(self, pretty: bool = False) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def append_event(self, event: str | dict[str, Any]) -> None: ...
    def copy(self) -> Complaint: ...

def parse_timestamp(text: str) -> datetime.datetime: ...
def error_code_name(code: int) -> str: ...
