"""Teaching: a student playing one government (:mod:`.play`) and the classroom
dashboard (:mod:`.dashboard`)."""
