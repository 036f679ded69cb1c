package migrate_test

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	_ "github.com/mattn/go-sqlite3"

	"lawtrace/shared/migrate"
)

func open(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestApplyRunsEachMigrationOnceInNumberOrder(t *testing.T) {
	db := open(t)
	fsys := fstest.MapFS{
		"m/0010_more.sql": {Data: []byte(`INSERT INTO log VALUES ('ten');`)},
		"m/0002_two.sql":  {Data: []byte(`INSERT INTO log VALUES ('two');`)},
		"m/0001_init.sql": {Data: []byte(`CREATE TABLE log (what TEXT);`)},
	}
	for i := 0; i < 2; i++ {
		if err := migrate.Apply(db, fsys, "m"); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := db.Query(`SELECT what FROM log ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		got = append(got, s)
	}
	if strings.Join(got, ",") != "two,ten" {
		t.Fatalf("applied %v, want two,ten once each", got)
	}
}

func TestApplyRefusesBadSets(t *testing.T) {
	tests := []struct {
		fs   fstest.MapFS
		want string
	}{
		{fstest.MapFS{"m/init.sql": {Data: []byte(`SELECT 1;`)}}, "must start with a number"},
		{fstest.MapFS{"m/0001_a.sql": {Data: []byte(`SELECT 1;`)}, "m/1_b.sql": {Data: []byte(`SELECT 1;`)}}, "share number 1"},
		{fstest.MapFS{"m/0001_a.sql": {Data: []byte(`CREATE TABL x;`)}}, "migration 0001_a.sql"},
	}
	for _, tc := range tests {
		if err := migrate.Apply(open(t), tc.fs, "m"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want %q", err, tc.want)
		}
	}
}
