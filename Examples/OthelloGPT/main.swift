// Runs the Othello-GPT tutorial on Models/othello: swift run -c release OthelloGPT
import Lens

// Random legal games: probes are fitted on 200 and scored on 100 others.
let train = try OthelloDataset.random(count: 200, seed: 1)
let test = try OthelloDataset.random(count: 100, seed: 2)
_ = try walkthrough(folder: OthelloGPT.folder(), train: train, test: test)
