/// The tables of a scan database (documented in docs/SCAN_DATABASE.md). Version 1.
enum Schema {
    static let version = "1"

    static let create = """
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE progress(id INTEGER PRIMARY KEY CHECK (id = 1), next_batch INTEGER NOT NULL, contexts INTEGER NOT NULL,
            tokens INTEGER NOT NULL, finished INTEGER NOT NULL, report TEXT);
        CREATE TABLE unit_sets(set_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, hooks TEXT NOT NULL,
            units INTEGER NOT NULL, fingerprint TEXT NOT NULL, tokens INTEGER NOT NULL);
        CREATE TABLE units(set_id INTEGER NOT NULL REFERENCES unit_sets, unit INTEGER NOT NULL, label TEXT NOT NULL,
            firing INTEGER NOT NULL, sum TEXT NOT NULL, sum_active TEXT NOT NULL, max REAL,
            PRIMARY KEY(set_id, unit)) WITHOUT ROWID;
        CREATE TABLE bins(bin INTEGER PRIMARY KEY, lower REAL NOT NULL, upper REAL NOT NULL);
        CREATE TABLE bands(band INTEGER PRIMARY KEY, lower REAL NOT NULL, upper REAL NOT NULL);
        CREATE TABLE histogram(set_id INTEGER NOT NULL, unit INTEGER NOT NULL, bin INTEGER NOT NULL, count INTEGER NOT NULL,
            PRIMARY KEY(set_id, unit, bin)) WITHOUT ROWID;
        CREATE TABLE top_examples(set_id INTEGER NOT NULL, unit INTEGER NOT NULL, rank INTEGER NOT NULL, value REAL NOT NULL,
            context INTEGER NOT NULL, position INTEGER NOT NULL, window_start INTEGER NOT NULL, tokens TEXT NOT NULL,
            activations TEXT NOT NULL, PRIMARY KEY(set_id, unit, rank)) WITHOUT ROWID;
        CREATE TABLE band_samples(set_id INTEGER NOT NULL, unit INTEGER NOT NULL, band INTEGER NOT NULL,
            priority INTEGER NOT NULL, value REAL NOT NULL, context INTEGER NOT NULL, position INTEGER NOT NULL,
            window_start INTEGER NOT NULL, tokens TEXT NOT NULL, activations TEXT NOT NULL,
            PRIMARY KEY(set_id, unit, band, priority)) WITHOUT ROWID;
        CREATE TABLE logit_effects(set_id INTEGER NOT NULL, unit INTEGER NOT NULL, sign INTEGER NOT NULL, rank INTEGER NOT NULL,
            token INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY(set_id, unit, sign, rank)) WITHOUT ROWID;
        CREATE TABLE vocab(token INTEGER PRIMARY KEY, text TEXT NOT NULL);
        CREATE VIEW unit_stats AS
            SELECT u.set_id, s.name AS set_name, u.unit, u.label, s.tokens, u.firing,
                   CAST(u.firing AS REAL) / MAX(s.tokens, 1) AS frequency,
                   CAST(u.sum AS REAL) / 4294967296.0 / MAX(s.tokens, 1) AS mean,
                   CAST(u.sum_active AS REAL) / 4294967296.0 / MAX(u.firing, 1) AS mean_active, u.max
            FROM units u JOIN unit_sets s USING (set_id);
        """
}
