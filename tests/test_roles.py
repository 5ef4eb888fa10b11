from bot.roles import bootstrap_admins, grant, granted_admins, is_admin, parse_admin_ids, revoke


def test_parse_admin_ids_ignores_garbage():
    # negative ids are groups and channels, never a user; ² passes str.isdigit, not int()
    assert parse_admin_ids(" 12, 34;x,,-5, ², 99999999999999999999 ") == frozenset({12, 34})
    assert parse_admin_ids(None) == frozenset()


def test_bootstrap_from_settings_else_environment(monkeypatch):
    class Settings:
        admin_ids = (7,)

    monkeypatch.setenv("RELAIS_ADMIN_IDS", "1,2")
    assert bootstrap_admins({"settings": Settings()}) == {7}
    assert bootstrap_admins({}) == {1, 2}


def test_grant_and_revoke(engine):
    assert not is_admin(engine, {1}, 42)
    assert is_admin(engine, {1}, 1)
    assert grant(engine, 42, by=1)
    assert not grant(engine, 42, by=1)
    assert is_admin(engine, {1}, 42)
    assert [r.user_id for r in granted_admins(engine)] == [42]
    assert revoke(engine, 42)
    assert not revoke(engine, 42)
    assert not is_admin(engine, {1}, 42)
