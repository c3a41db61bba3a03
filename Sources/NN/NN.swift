// Placeholder: the LSTM engine goes here.
