// Placeholder: the training loop goes here.
import NN
import Tokenization
