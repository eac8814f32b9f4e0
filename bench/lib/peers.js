#!/usr/bin/env node
// peers.js vader|afinn FILE — score every line of FILE with an npm peer and print
// one number per line: VADER's compound score (vader-sentiment) or AFINN's
// comparative score (sentiment).  Modules are looked up in NODE_PATH
// (bench/out/node_modules).  Used both for timing (run.sh) and accuracy.
"use strict";
const fs = require("fs");
const [tool, file] = process.argv.slice(2);
let score;
if (tool === "vader") {
    const vader = require("vader-sentiment").SentimentIntensityAnalyzer;
    score = (t) => vader.polarity_scores(t).compound;
} else if (tool === "afinn") {
    const Sentiment = require("sentiment");
    const afinn = new Sentiment();
    score = (t) => afinn.analyze(t).comparative;
} else {
    console.error("usage: peers.js vader|afinn FILE");
    process.exit(2);
}
const text = fs.readFileSync(file, "utf8");
const lines = text === "" ? [] : (text.endsWith("\n") ? text.slice(0, -1) : text).split("\n");
const out = new Array(lines.length);
for (let i = 0; i < lines.length; i++) out[i] = score(lines[i]);
fs.writeSync(1, out.join("\n") + "\n");
