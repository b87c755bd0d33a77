"""How the console shows the API's codes and ids to a person."""

from console.templatetags.console import label, readable


def test_codes_read_as_words_and_free_text_stays_as_written():
    assert label("legal_name") == "Legal name"
    assert readable("phone_call") == "Phone call"
    assert readable("Rang from the payphone") == "Rang from the payphone"
    assert readable("reached") == "reached"


def test_a_records_id_is_left_out():
    assert readable("71f580cb-2946-4713-9c51-20815a248ce8") == ""
