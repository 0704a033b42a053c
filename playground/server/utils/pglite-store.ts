/**
 * A `MessageStore` on PGlite (Postgres compiled to WASM, embedded in the Nitro process).
 * Data lives in a directory, so history survives a restart of the dev server.
 */
import { PGlite } from '@electric-sql/pglite'
import type { MessageStore, StoredMessage } from '../../../src/testing/types'

interface Row {
  id: number
  sender_id: number
  reciever_id: number
  content: string
  created_at: string | number
  micros: number
  is_read: boolean
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS chat_message (
  id          SERIAL PRIMARY KEY,
  sender_id   INTEGER NOT NULL,
  reciever_id INTEGER NOT NULL,
  content     TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  micros      INTEGER NOT NULL DEFAULT 0,
  is_read     BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX IF NOT EXISTS chat_message_pair ON chat_message (LEAST(sender_id, reciever_id), GREATEST(sender_id, reciever_id), id);
`

function toStored(row: Row): StoredMessage {
  return {
    id: Number(row.id),
    sender_id: Number(row.sender_id),
    reciever_id: Number(row.reciever_id),
    content: row.content,
    createdAt: Number(row.created_at),
    micros: Number(row.micros),
    is_read: Boolean(row.is_read),
  }
}

/** A PGlite-backed store plus a way to close the database cleanly. */
export interface PgliteMessageStore extends MessageStore {
  close(): Promise<void>
}

/** Open (or create) the database in `dataDir` and return a `MessageStore` on it. */
export async function createPgliteStore(dataDir: string): Promise<PgliteMessageStore> {
  const db = await PGlite.create(dataDir)
  await db.exec(SCHEMA)
  return {
    async append(message) {
      const result = await db.query<Row>(
        `INSERT INTO chat_message (sender_id, reciever_id, content, created_at, micros, is_read)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [message.sender_id, message.reciever_id, message.content, message.createdAt, message.micros ?? 0, message.is_read],
      )
      const row = result.rows[0]
      if (!row) throw new Error('insert returned no row')
      return toStored(row)
    },
    async list(a, b) {
      const result = await db.query<Row>(
        `SELECT * FROM chat_message
         WHERE LEAST(sender_id, reciever_id) = LEAST($1::int, $2::int)
           AND GREATEST(sender_id, reciever_id) = GREATEST($1::int, $2::int)
         ORDER BY id`,
        [a, b],
      )
      return result.rows.map(toStored)
    },
    close: () => db.close(),
  }
}
