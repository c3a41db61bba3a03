// Placeholder: the sampler and composition session go here.
import NN
import Tokenization
