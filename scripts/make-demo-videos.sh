#!/usr/bin/env bash
# Generates the demo testimony videos ("témoignages") shipped with the seed data:
# for each story, a WebM video (VP9 + Opus), a WebVTT caption file and a plain-text
# transcript, written to crates/db/seed/stories/.
#
# The outputs are committed; CI never runs this script. It exists so the demo media
# can be rebuilt (or a story added) from text alone, with no recorded footage:
#   apt-get install -y ffmpeg espeak-ng fonts-dejavu-core
#   scripts/make-demo-videos.sh
set -euo pipefail

# ${#var} must count characters, not bytes, for the caption line limit (é, à...).
export LC_ALL=C.UTF-8

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT="$ROOT/crates/db/seed/stories"
FONT_DIR=/usr/share/fonts/truetype/dejavu
VOICE=fr-fr          # espeak-ng's own French voice (mbrola voices are not installed)
RATE=175             # espeak-ng's default words per minute, pinned so reruns match
MAX_LINE=42          # usual subtitle limit per line
WIDTH=480 HEIGHT=270 FPS=12
BG=0x000091          # DSFR "bleu France"

for tool in espeak-ng ffmpeg ffprobe; do
  command -v "$tool" >/dev/null || {
    echo "missing $tool: apt-get install -y ffmpeg espeak-ng fonts-dejavu-core" >&2
    exit 1
  }
done
for font in DejaVuSans.ttf DejaVuSans-Bold.ttf; do
  [[ -f $FONT_DIR/$font ]] || { echo "missing $FONT_DIR/$font (fonts-dejavu-core)" >&2; exit 1; }
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Samples (at the WAV's own rate) -> WebVTT timestamp HH:MM:SS.mmm, rounded to the ms.
vtt_time() {
  local ms=$(( ($1 * 1000 + RATE_HZ / 2) / RATE_HZ ))
  printf '%02d:%02d:%02d.%03d' $((ms / 3600000)) $((ms / 60000 % 60)) $((ms / 1000 % 60)) $((ms % 1000))
}

# Cue text must not contain markup; escape the three characters WebVTT reserves.
vtt_escape() {
  local s=${1//&/&amp;}
  s=${s//</&lt;}
  printf '%s' "${s//>/&gt;}"
}

# Splits a sentence into caption lines of at most MAX_LINE characters, one per line
# on stdout. Uses the fewest lines possible; among those, a small dynamic programme
# picks the breaks that balance line lengths (sum of squares) and favours breaking
# after punctuation and against ending a line on a little word ("de la", "que"...)
# that belongs with the next one, as subtitling style guides ask.
split_caption() {
  local text=$1
  local -a words
  read -r -a words <<<"$text"
  local nw=${#words[@]} total=${#text}
  local n=$(( (total + MAX_LINE - 1) / MAX_LINE ))
  local -A cost=() from=()
  local i j k len best c line punct='[,;:.!?]$'
  local weak=' le la les un une des de du au aux à et ou que qui dont en sur pour par avec dans ce ces mon ma mes son sa ses notre nos je on nous '
  while :; do
    cost=([0,0]=0)
    from=()
    for ((k = 1; k <= n; k++)); do
      for ((j = k; j <= nw; j++)); do
        best=
        # The line holding words i..j-1 is the k-th one.
        for ((i = j - 1; i >= k - 1; i--)); do
          line="${words[*]:i:j-i}"
          len=${#line}
          ((len <= MAX_LINE)) || break
          [[ -n ${cost[$i,$((k - 1))]-} ]] || continue
          c=$(( cost[$i,$((k - 1))] + len * len ))
          if [[ $line =~ $punct ]]; then c=$((c - 300)); fi
          if [[ $weak == *" ${words[j - 1],,} "* ]]; then c=$((c + 400)); fi
          if [[ -z $best ]] || ((c < best)); then
            best=$c
            from[$j,$k]=$i
          fi
        done
        if [[ -n $best ]]; then cost[$j,$k]=$best; fi
      done
    done
    if [[ -n ${cost[$nw,$n]-} ]]; then break; fi
    # A single word longer than the limit cannot be helped: give up rather than loop.
    ((n < nw)) || { echo "cannot caption: $text" >&2; exit 1; }
    n=$((n + 1))
  done
  local -a lines=()
  j=$nw
  for ((k = n; k >= 1; k--)); do
    i=${from[$j,$k]}
    lines[k - 1]="${words[*]:i:j-i}"
    j=$i
  done
  printf '%s\n' "${lines[@]}"
}

# make_story SLUG NAME TITLE_LINE_1 TITLE_LINE_2 SENTENCE...
make_story() {
  local slug=$1 name=$2 title1=$3 title2=$4
  shift 4
  local -a sentences=("$@")
  local dir="$WORK/$slug"
  mkdir -p "$dir"

  # One WAV per sentence, so each sentence's start and length are known exactly.
  local i samples start=0 list="$dir/list.txt"
  local -a starts=() lengths=()
  : >"$list"
  for i in "${!sentences[@]}"; do
    espeak-ng -v "$VOICE" -s "$RATE" -w "$dir/s$i.wav" "${sentences[i]}"
    RATE_HZ=$(ffprobe -v error -select_streams a:0 -show_entries stream=sample_rate \
      -of default=nw=1:nk=1 "$dir/s$i.wav")
    # duration_ts counts samples: integer arithmetic keeps cue times drift-free.
    samples=$(ffprobe -v error -select_streams a:0 -show_entries stream=duration_ts \
      -of default=nw=1:nk=1 "$dir/s$i.wav")
    starts[i]=$start
    lengths[i]=$samples
    start=$((start + samples))
    printf "file '%s'\n" "$dir/s$i.wav" >>"$list"
  done
  local total=$start
  ffmpeg -v error -y -f concat -safe 0 -i "$list" -c copy "$dir/speech.wav"

  # Captions: each sentence's time is shared among its lines in proportion to length.
  local vtt="$dir/out.vtt" caption line done_chars sent_chars from to
  local -a lines
  printf 'WEBVTT\n' >"$vtt"
  for i in "${!sentences[@]}"; do
    # Command substitution (not <(...)) so a failed split stops the script.
    caption=$(split_caption "${sentences[i]}")
    mapfile -t lines <<<"$caption"
    sent_chars=${#sentences[i]}
    done_chars=0
    from=${starts[i]}
    for line in "${lines[@]}"; do
      done_chars=$((done_chars + ${#line} + 1))
      if ((done_chars > sent_chars)); then done_chars=$sent_chars; fi
      to=$((starts[i] + lengths[i] * done_chars / sent_chars))
      printf '\n%s --> %s\n%s\n' "$(vtt_time "$from")" "$(vtt_time "$to")" \
        "$(vtt_escape "$line")" >>"$vtt"
      from=$to
    done
  done

  # drawtext reads files, which avoids escaping apostrophes and colons in filters.
  printf '%s' "$name" >"$dir/name.txt"
  printf '%s' "$title1" >"$dir/title1.txt"
  printf '%s' "$title2" >"$dir/title2.txt"
  printf '%s' "Témoignage · Métiers du numérique" >"$dir/label.txt"
  local seconds
  seconds=$(printf '%d.%06d' $((total / RATE_HZ)) $(( (total % RATE_HZ) * 1000000 / RATE_HZ )))
  local text="fontcolor=white:expansion=none:x=(w-text_w)/2"
  local vf="drawtext=fontfile=$FONT_DIR/DejaVuSans.ttf:textfile=$dir/label.txt:fontsize=15:$text:y=22"
  vf+=",drawtext=fontfile=$FONT_DIR/DejaVuSans-Bold.ttf:textfile=$dir/name.txt:fontsize=64:$text:y=78"
  vf+=",drawbox=x=(iw-60)/2:y=162:w=60:h=3:color=white:t=fill"
  vf+=",drawtext=fontfile=$FONT_DIR/DejaVuSans.ttf:textfile=$dir/title1.txt:fontsize=24:$text:y=182"
  vf+=",drawtext=fontfile=$FONT_DIR/DejaVuSans.ttf:textfile=$dir/title2.txt:fontsize=24:$text:y=214"

  # A still frame compresses to almost nothing, so tiny bitrates stay sharp; bitexact
  # flags keep reruns byte-identical (no encoder version or random track UIDs).
  ffmpeg -v error -y \
    -f lavfi -i "color=c=$BG:s=${WIDTH}x${HEIGHT}:r=$FPS:d=$seconds" \
    -i "$dir/speech.wav" \
    -vf "$vf" -c:v libvpx-vp9 -b:v 40k -g 120 -deadline good -cpu-used 4 -threads 1 \
    -pix_fmt yuv420p \
    -c:a libopus -b:a 24k -ar 48000 -ac 1 \
    -t "$seconds" -map_metadata -1 \
    -fflags +bitexact -flags:v +bitexact -flags:a +bitexact \
    "$dir/out.webm"

  local paragraph
  paragraph="${sentences[*]}"
  mv "$dir/out.webm" "$OUT/$slug.webm"
  mv "$vtt" "$OUT/$slug.vtt"
  printf '%s\n' "$paragraph" >"$OUT/$slug.txt"
  echo "$slug: ${seconds}s, $(wc -c <"$OUT/$slug.webm") bytes"
}

mkdir -p "$OUT"

make_story amina-developpeuse-dinum \
  "Amina" "Développeuse" "à la DINUM" \
  "Je m'appelle Amina, je suis développeuse à la direction interministérielle du numérique." \
  "Je travaille sur le guichet des aides numériques pour les petites communes." \
  "Ce que j'aime ici, c'est que le code que j'écris sert directement les citoyens." \
  "Et nous publions tout en open source."

make_story julien-analyste-anssi \
  "Julien" "Analyste en cybersécurité" "à l'ANSSI" \
  "Bonjour, je suis Julien, analyste à l'Agence nationale de la sécurité des systèmes d'information." \
  "Avec mon équipe, j'aide les collectivités à signaler et traiter les incidents." \
  "Chaque jour, on protège des services dont des millions de personnes dépendent."
