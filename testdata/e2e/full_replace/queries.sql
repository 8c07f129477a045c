select owner_id, name from files.owners order by owner_id
