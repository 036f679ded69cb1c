// Case page: say so when the browser cannot play a stored file (the
// original is kept unchanged; it may be in a format only a desktop player
// reads).
(function () {
  'use strict';
  var players = document.querySelectorAll('video.player, audio.player');
  Array.prototype.forEach.call(players, function (p) {
    p.addEventListener('error', function () {
      if (p.nextElementSibling && p.nextElementSibling.className === 'play-error') { return; }
      var note = document.createElement('p');
      note.className = 'play-error muted small';
      note.textContent = '浏览器无法播放此文件的格式；原始文件保存不变，可申请下载后用专用播放器查看。';
      p.parentNode.insertBefore(note, p.nextSibling);
    });
  });
})();
