return {
  id = 'leak', number = 1, title = 'Title',
  text = { en = 'en.md', ko = 'ko.md', fr = 'fr.md' },
}
