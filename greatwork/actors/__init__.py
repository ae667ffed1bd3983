"""pykka actors: campaigns, their entities, the press desk, the clock and the supervisor."""
