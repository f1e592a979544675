from proxy.sites import longest_suffix_match


def test_longest_suffix_wins_and_lookalikes_do_not_match() -> None:
    table = [("amazon.com", "en-US"), ("amazon.com.mx", "es-MX")]
    assert longest_suffix_match("sellercentral.amazon.com.mx", table) == "es-MX"
    assert longest_suffix_match("Amazon.com:443/path", table) == "en-US"
    assert longest_suffix_match("xamazon.com", table) is None
    assert longest_suffix_match(None, table) is None
