"""How a crisis is shown: narration in words (:mod:`.narrate`) and figures (:mod:`.plots`)."""
