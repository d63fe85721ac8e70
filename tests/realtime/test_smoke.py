async def test_two_sockets_chat(room, make_user, connect):
    alice = await make_user("alice")
    a = await connect(alice)
    b = await connect(None)
    joined, replay = await a.join("room.bupati")
    assert joined["type"] == "joined" and joined["last_id"] == 0
    await b.join("room.bupati")
    ack = await a.say("room.bupati", "Halo <b>Pak</b> https://pati.go.id")
    assert ack["status"] == "published" and ack["id"] == 1
    got = await b.recv_until("message")
    assert got["message"]["id"] == 1
    assert "&lt;b&gt;" in got["message"]["html"]
