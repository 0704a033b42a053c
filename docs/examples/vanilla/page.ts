import { openChat } from './open-chat'

declare const statusEl: HTMLElement
declare const listEl: HTMLUListElement
declare const email: string
declare const password: string

const chat = await openChat({
  baseUrl: 'https://school.example', email, password, peerId: 123,
  onChange(snapshot) {
    statusEl.textContent = snapshot.status // idle | connecting | syncing | live | reconnecting | offline | unauthorized | closed
    listEl.replaceChildren(...snapshot.messages.map((m) => { // m.id is stable: use it as a key
      const li = document.createElement('li')
      li.dataset.id = m.id
      li.textContent = `${m.isMine ? 'me' : 'them'}: ${m.content} (${m.status})` // textContent: never innerHTML
      return li
    }))
  },
})
chat.send('Hello!')
