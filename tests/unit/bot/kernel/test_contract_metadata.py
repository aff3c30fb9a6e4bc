"""The metadata channels send about who is speaking."""
import pytest

from bot.kernel.contract import ChannelMetadata, MetadataError


def test_roles_are_inferred_from_ids() -> None:
    assert ChannelMetadata.from_dict({"resident_id": 3}).role == "resident"
    assert ChannelMetadata.from_dict({"resident_id": "3", "family_member_id": 2}).role == "family"
    assert ChannelMetadata.from_dict(None).role == "anonymous"


def test_names_a_person() -> None:
    assert ChannelMetadata.from_dict({"resident_id": 1}).names_a_person
    assert not ChannelMetadata.from_dict({"channel": "kiosk", "kiosk_mode": "community"}).names_a_person


@pytest.mark.parametrize("raw", [
    "resident 1", {"resident_id": "abc"}, {"resident_id": -1}, {"resident_id": True}, {"resident_id": 1.5},
    {"channel": "fax"}, {"role": "king"}, {"kiosk_mode": "mall"}, {"role": "family", "resident_id": 1},
    {"location": 42},
])
def test_malformed_metadata_is_refused(raw) -> None:
    with pytest.raises(MetadataError):
        ChannelMetadata.from_dict(raw)


def test_round_trip() -> None:
    metadata = ChannelMetadata(channel="kiosk", role="resident", resident_id=1, kiosk_mode="home", location="家")
    assert ChannelMetadata.from_dict(metadata.as_dict()) == metadata
