return {
  id = 'leak', number = 1, title = 'Title',
  text = { ko = 'ko.md' },
}
